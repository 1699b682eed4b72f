"""Conversations written once, rendered by the phone (ivr/) and by texts (sms/).

engine.py runs them (prompts, answers, the "Other" and "No Response" paths); render.py turns a
prompt into words; content.py loads their option lists and languages and checks them; effects.py
holds what they ask the edge to do. Each conversation is a module: callback.py (a call back from
an adviser) and deadline.py (the deadline calculator). CONVERSATIONS is the one registry, built
here, not at import of each module.

To add a conversation: write its module here (the Conversation protocol in engine.py; its
options in content/conversations/<name>.toml, its words in content/messages, the message keys
it uses in MESSAGES so `flask content check` finds them), add it to CONVERSATIONS, give it a
ConversationChat in sms/chats.py (with any words that work at any time) and, by phone, an
adapter like ivr/deadline.py (ask/<step> and answer/<step>, with ivr/safety.py's RESUME). Test
it as a transcript (tests/flows/test_deadline_conversation.py).
"""

from flows.conversations.callback import CONVERSATION as CALLBACK
from flows.conversations.deadline import CONVERSATION as DEADLINE

CONVERSATIONS = {CALLBACK.name: CALLBACK, DEADLINE.name: DEADLINE}
