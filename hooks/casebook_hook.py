"""The MkDocs hook named in mkdocs.yml. The adapter lives in the `casebook_mkdocs` package; the
domain logic in `casebook`, which knows nothing of MkDocs."""

from casebook_mkdocs.events import (  # noqa: F401 -- MkDocs looks these names up in this module
    on_build_error,
    on_config,
    on_env,
    on_files,
    on_nav,
    on_page_content,
    on_page_context,
    on_page_markdown,
    on_post_build,
    on_post_page,
    on_serve,
    on_startup,
)
