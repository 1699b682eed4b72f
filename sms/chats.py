"""The SMS channel's conversations, by flow name: the one registry, built here (nothing registers
itself at import), each with the words it answers at any time, listed explicitly. The deadline
calculator comes first, so REMIND and "DEADLINE 31/12/2025" are read before anything else."""

from __future__ import annotations

from flows.conversations import CONVERSATIONS
from sms import deadline_words
from sms.conversation import ConversationChat, callback_words


def build() -> dict:
    """Every chat the dispatcher can hand texts to: {flow name: chat}."""
    return {"deadline": ConversationChat(CONVERSATIONS["deadline"], intercept=deadline_words.intercept),
            "callback": ConversationChat(CONVERSATIONS["callback"], intercept=callback_words)}


CHATS = build()
