"""The staff console (http://127.0.0.1:8081/): conversations, with personal details masked, for
signed-in clinic staff."""
