"""The store: the only package that imports sqlmodel and sqlalchemy."""
