"""Finding evidence inside the tool: searches run per claim, their records as the claim's
candidates, and the screening that turns a candidate into evidence."""
