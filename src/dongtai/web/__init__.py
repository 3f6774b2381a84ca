"""The newsroom web app (``dongtai serve``): FastAPI routes, Jinja2 templates, one
stylesheet. A thin shell over :mod:`dongtai.newsroom`; :func:`create_app` builds it."""
