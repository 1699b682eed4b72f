"""Conversations written once, rendered by the phone (ivr/) and by texts (sms/).

engine.py runs them (prompts, answers, the "Other" and "No Response" paths); render.py turns a
prompt into words; content.py loads their option lists and languages and checks them; effects.py
holds what they ask the edge to do. Each conversation is a module: callback.py (the deadline
calculator moves here next). CONVERSATIONS is the one registry, built here, not at import of
each module.
"""

from flows.conversations.callback import CONVERSATION as CALLBACK

CONVERSATIONS = {CALLBACK.name: CALLBACK}
