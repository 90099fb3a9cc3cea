"""The sample clinic web site that hosts the chat widget (`make run`, port 8080)."""
