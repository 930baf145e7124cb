from .accounts import Client, Membership, Organization, User

__all__ = ["Client", "Membership", "Organization", "User"]
