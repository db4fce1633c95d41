"""The curation page's forms, one module a tab; dashboard/app_pages/curate.py draws them."""
