"""HTTP: the Starlette application and the REST routes beside GraphQL.

The app factory, the routes (``/graphql``, ``file_stream``, authenticated downloads,
signed storage GET/PUT; artifact bytes in artifact_routes.py), the ``file_stream`` protocol, API-key authentication from the
``Authorization`` header, and the crash reaper the app starts and stops with its
lifespan. This is the top layer: it may import storage and graphql, neither imports it.
"""
