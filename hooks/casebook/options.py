"""Build options, read in one typed place. Each may be set by an environment variable (the
README lists them); nothing else in the casebook reads the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .model import SiteInfo
from .records.schemas import check_site_values

SHARD_PAGES = 2000  # Pagefind holds ~0.25 MB per page while indexing; shards keep memory flat


class OptionError(ValueError):
    pass


@dataclass(frozen=True)
class BuildOptions:
    preview: bool = False  # CASEBOOK_PREVIEW=1: Simplified pages only, no search index
    search_shard_pages: int = SHARD_PAGES  # CASEBOOK_SEARCH_SHARD_PAGES
    site_url: str = ""  # CASEBOOK_SITE_URL: the published address, instead of data/site.yml's
    repo_url: str = ""  # CASEBOOK_REPO_URL: the repository for edit links
    watch: str = "notices"  # CASEBOOK_WATCH: how a preview server sees saves ("notices" or "poll")

    ENV: ClassVar[dict[str, str]] = {
        "preview": "CASEBOOK_PREVIEW",
        "search_shard_pages": "CASEBOOK_SEARCH_SHARD_PAGES",
        "site_url": "CASEBOOK_SITE_URL",
        "repo_url": "CASEBOOK_REPO_URL",
        "watch": "CASEBOOK_WATCH",
    }
    WATCHES: ClassVar[tuple[str, ...]] = ("notices", "poll")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BuildOptions:
        shard = env.get(cls.ENV["search_shard_pages"], "").strip()
        if shard and (not shard.isdigit() or int(shard) < 1):
            raise OptionError(f"{cls.ENV['search_shard_pages']} 应为正整数，现在是“{shard}”")
        watch = env.get(cls.ENV["watch"], "").strip() or "notices"
        if watch not in cls.WATCHES:
            raise OptionError(f"{cls.ENV['watch']} 应为 notices 或 poll，现在是“{watch}”")
        return cls(
            preview=env.get(cls.ENV["preview"], "") == "1",
            search_shard_pages=int(shard) if shard else SHARD_PAGES,
            site_url=env.get(cls.ENV["site_url"], "").strip(),
            repo_url=env.get(cls.ENV["repo_url"], "").strip(),
            watch=watch,
        )

    def problems(self, schema_dir: Path) -> list[str]:
        """What is wrong with the deployment's address or repository, checked by the rules of
        data/site.yml: these reach every page, the sitemap and the edit links as they are."""
        out = [
            f"{self.ENV['site_url']}：{p}" for p in check_site_values(url=self.site_url or None, schema_dir=schema_dir)
        ]
        out += [
            f"{self.ENV['repo_url']}：{p}"
            for p in check_site_values(repo_url=self.repo_url or None, schema_dir=schema_dir)
        ]
        return out

    def apply(self, site: SiteInfo) -> SiteInfo:
        return site.deployed(self.site_url, self.repo_url)
