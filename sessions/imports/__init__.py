"""Packing lists in: Excel/CSV with column mapping, packing-list JSON, Shopify Tool sessions.

`dispatch.import_file` picks the importer a file needs (the web page, the API and
`import_list` all go through it). Each importer validates everything first (every error with
row and column, raised as ImportRejected) and then writes in one transaction through `build`.
"""
