"""The domain: pure decisions and words. Imports none of flask, twilio, redis or rq."""
