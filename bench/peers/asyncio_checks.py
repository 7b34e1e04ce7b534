#!/usr/bin/env python3
"""The hand-written asyncio health checker a team would write instead of adopting a tool.

aiohttp for HTTP (one session, a connector sized to the concurrency), asyncpg for Postgres,
a semaphore for the concurrency and asyncio.wait_for for each check's timeout. Prints one line,
`ok=N fail=M`, that the bench harness validates.

    asyncio_checks.py http URLS_FILE CONCURRENCY TIMEOUT_S
    asyncio_checks.py pg DSN COUNT
    asyncio_checks.py mission BASE_URL API_KEY BOT_TOKEN DSN
"""

import asyncio
import sys

import aiohttp
import asyncpg


async def http_checks(urls, concurrency, timeout):
    semaphore = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url):
            async with semaphore:
                try:
                    async with asyncio.timeout(timeout):
                        async with session.get(url) as response:
                            await response.read()
                            return response.status == 200
                except (asyncio.TimeoutError, aiohttp.ClientError, OSError):
                    return False

        return await asyncio.gather(*(one(url) for url in urls))


async def pg_checks(dsn, count):
    async def one():
        try:
            async with asyncio.timeout(10):
                connection = await asyncpg.connect(dsn)
                try:
                    return await connection.fetchval("SELECT 1") == 1
                finally:
                    await connection.close()
        except (asyncio.TimeoutError, OSError, asyncpg.PostgresError):
            return False

    return await asyncio.gather(*(one() for _ in range(count)))


async def mission(base_url, api_key, bot_token, dsn):
    async with aiohttp.ClientSession() as session:

        async def get_json(url, headers=None):
            try:
                async with asyncio.timeout(5):
                    async with session.get(url, headers=headers) as response:
                        if response.status != 200:
                            return None
                        return await response.json(content_type=None)
            except (asyncio.TimeoutError, aiohttp.ClientError, OSError, ValueError):
                return None

        async def health():
            body = await get_json(f"{base_url}/health")
            return body is not None and body.get("status") == "ok"

        async def models():
            body = await get_json(f"{base_url}/v1/models", {"Authorization": f"Bearer {api_key}"})
            ids = {model.get("id") for model in (body or {}).get("data", [])}
            return {"sonnet", "opus"} <= ids

        async def telegram():
            body = await get_json(f"{base_url}/bot{bot_token}/getMe")
            return body is not None and body.get("ok") is True and body["result"].get("is_bot") is True

        async def postgres():
            return (await pg_checks(dsn, 1))[0]

        return await asyncio.gather(health(), models(), telegram(), postgres())


def main():
    mode = sys.argv[1]
    if mode == "http":
        with open(sys.argv[2]) as handle:
            urls = [line.strip() for line in handle if line.strip()]
        results = asyncio.run(http_checks(urls, int(sys.argv[3]), float(sys.argv[4])))
    elif mode == "pg":
        results = asyncio.run(pg_checks(sys.argv[2], int(sys.argv[3])))
    elif mode == "mission":
        results = asyncio.run(mission(*sys.argv[2:6]))
    else:
        sys.exit(f"unknown mode {mode}")
    ok = sum(1 for result in results if result)
    print(f"ok={ok} fail={len(results) - ok}")
    sys.exit(0 if ok == len(results) else 1)


if __name__ == "__main__":
    main()
