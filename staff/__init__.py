"""Staff pages: login and the callback queue (built in the callbacks issue)."""
