"""The SMS channel's conversations, by flow name: the one registry, built here (nothing registers
itself at import). The deadline calculator keeps its own chat until it moves onto the engine."""

from __future__ import annotations

from flows.conversations import CONVERSATIONS
from sms.conversation import ConversationChat
from sms.deadline_chat import DeadlineChat


def build() -> dict:
    """Every chat the dispatcher can hand texts to: {flow name: chat}."""
    return {"deadline": DeadlineChat(), **{name: ConversationChat(conv) for name, conv in CONVERSATIONS.items()}}


CHATS = build()
