"""Input channels of SMP Consult's Rasa server (configured in credentials.yml)."""
