"""The language server: a thin adapter from LSP to the engine (pygls 2 over stdio or TCP)."""
