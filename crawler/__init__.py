"""The crawler: a Scrapy project (settings, one generic news spider driven by sites.toml, item
pipelines that hand pages to jiwen.library.pipeline). Entry point for the CLI: jiwen.crawler.run.run_crawl."""
