"""Record writes: each change to a claim, a link, a paper, a source, a search, an override or
an account, in the caller's transaction, with its history row."""
