"""HTTP: the JSON API and (later) the Dutch pages, on Litestar. Handlers parse, call, answer."""
