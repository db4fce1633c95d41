"""Clients of the metadata services (PubMed E-utilities, Crossref, OpenAlex): batched to each
service's limits, rate-limited per host, retried with backoff, and cached on disk."""
