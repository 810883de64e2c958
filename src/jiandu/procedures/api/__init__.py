"""The API pieces every procedure app's endpoints share: who may call them."""
