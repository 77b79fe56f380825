"""Shared reads (selectors): what screens, the API, sockets and reports show.

`payloads` gives the JSON shapes of orders and lists; `floor_rows`, `list_tabs` and
`station_panels` the rows of the floor view, the session browser and the packer's pages;
`references` turns a user's reference (a station name, a client code) into a row. Nothing here
writes.
"""
