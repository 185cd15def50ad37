"""Every command of the product, one module per feature. Order matters only for free text."""

from handlers.commands import account
from handlers.router import Router

ROUTERS: list[Router] = [account.router]
