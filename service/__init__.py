"""The HTTP API, persistence and web pages (FastAPI).

Not built yet: the core engine (issue 2) comes first. The API will call
:func:`matching.pipeline.propose` and :func:`matching.pipeline.shortlist`; HTTP status codes live
only here.
"""
