"""Request headers the API's tests send as clients do."""

# What a browser asks for when a reader opens an API address in it.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
