"""rq jobs and the senders they use."""
