"""The MCP slice: the settings and permission of the MCP front door (the server itself is ``mcp_server/``)."""
