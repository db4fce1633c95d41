"""Metadata orchestration: asking PubMed, Crossref and OpenAlex about papers and folding
their answers into the ledger."""
