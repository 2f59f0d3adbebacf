"""The MCP server: a second front door onto the platform for AI assistants (Claude Desktop, Cursor, any
Model Context Protocol client), beside the HTTP API.

Like ``backend/`` it only speaks a protocol: each tool parses its arguments with the HTTP API's own request
schema, calls the same ``shared`` service function as the matching endpoint, and answers with the HTTP API's
response schema. The key, its role and the rate limits are the HTTP API's too. Transports: stdio
(``mimir mcp``) and Streamable HTTP (``mimir mcp --http``, at ``/mcp``). See ARCHITECTURE.md.
"""
