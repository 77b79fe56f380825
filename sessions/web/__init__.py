"""Server-rendered pages of the packing floor: station, floor view, session browser.

Views stay thin: they read through selectors (sessions.reads.floor_rows, sessions.reads.list_tabs,
sessions.metrics, sessions.reads.payloads) and the station page's JavaScript writes through the REST
API, which calls the services. Nothing here changes a counter.
"""
