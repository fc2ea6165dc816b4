"""Reading report files of every format into ``search.documents.Report``."""
