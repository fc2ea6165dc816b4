"""OpenSearch: the cluster backend for collections past one machine. Today the export of the
index as a mapping and bulk files (``export``), with our own tokens.

May import: ``search.text`` and, later, the OpenSearch client. Nothing above ``search.backend``
imports it.
"""
