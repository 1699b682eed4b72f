"""Conversations written once, rendered by the phone (ivr/) and by texts (sms/).

engine.py runs them (prompts, answers, the "Other" and "No Response" paths); render.py turns a
prompt into words; content.py loads their option lists and languages and checks them; effects.py
holds what they ask the edge to do. Each conversation is a module: callback.py (a call back from
an adviser) and deadline.py (the deadline calculator). CONVERSATIONS is the one registry, built
here, not at import of each module.
"""

from flows.conversations.callback import CONVERSATION as CALLBACK
from flows.conversations.deadline import CONVERSATION as DEADLINE

CONVERSATIONS = {CALLBACK.name: CALLBACK, DEADLINE.name: DEADLINE}
