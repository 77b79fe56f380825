"""Server-rendered pages of the packing floor: station, floor view, session browser.

Views stay thin: they read through selectors (sessions.floor, sessions.browse,
sessions.selectors, sessions.payloads) and the station page's JavaScript writes through the REST
API, which calls the services. Nothing here changes a counter.
"""
