// A small web crawler, the kind of program @sync is for. It walks a fake
// site (timers stand in for the network) and puts four things together:
//
// - a Semaphore caps the requests in flight at two, however many pages wait;
// - each request gets its own time limit (withTimeout), so one slow page
//   cannot stall the crawl;
// - a Condition connects the producers (each visit adds the links it found)
//   to the consumer (the scheduler, which waits until there is a page to
//   visit or nothing left to do);
// - one AbortController cancels the whole crawl: queued requests, requests in
//   flight and the scheduler all stop when the word budget is reached.
import { Condition } from "@sync/condition";
import { TimeoutError, withTimeout } from "@sync/core";
import { Semaphore } from "@sync/semaphore";

interface Page {
  url: string;
  words: number;
  links: string[];
}

// The "web": how long each page takes to load (ms), its size, its links.
const site: Record<string, { ms: number; words: number; links: string[] }> = {
  "/": { ms: 60, words: 120, links: ["/docs", "/blog", "/about"] },
  "/docs": { ms: 120, words: 900, links: ["/docs/api", "/docs/guide"] },
  "/blog": { ms: 900, words: 300, links: ["/blog/archive"] }, // too slow
  "/about": { ms: 30, words: 80, links: ["/", "/team"] },
  "/team": { ms: 90, words: 150, links: [] },
  "/docs/api": { ms: 180, words: 600, links: ["/docs/guide", "/changelog", "/roadmap"] },
  "/docs/guide": { ms: 150, words: 400, links: ["/docs"] },
  "/changelog": { ms: 60, words: 200, links: [] },
  "/roadmap": { ms: 90, words: 100, links: [] },
};

const REQUEST_TIMEOUT = 300; // ms per request
const WORD_BUDGET = 2_000; // stop crawling once this many words are in

/** A stand-in for `fetch(url, { signal })`: resolves after the page's delay, rejects when `signal` aborts. */
function fetchPage(url: string, signal: AbortSignal): Promise<Page> {
  const { ms, words, links } = site[url]!;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve({ url, words, links });
    }, ms);
    signal.addEventListener("abort", onAbort);
  });
}

/** Crawls the fake site from `/` until the word budget is reached, and prints what happens. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const crawl = new AbortController(); // cancels everything below
  const slots = new Semaphore(2); // at most two requests in flight
  const frontier = new Condition(); // guards `queue`, `seen` and `busy`
  const queue = ["/"];
  const seen = new Set(queue);
  let busy = 0; // pages taken off the queue and not finished yet
  let words = 0;
  const tally = { fetched: 0, timedOut: 0, cancelled: 0 };

  // A producer: fetches one page and queues the links it has not seen yet.
  async function visit(url: string): Promise<void> {
    try {
      const page = await slots.run(
        () => withTimeout((signal) => fetchPage(url, signal), REQUEST_TIMEOUT, { signal: crawl.signal }),
        { signal: crawl.signal },
      );
      tally.fetched++;
      words += page.words;
      const fresh = await frontier.run(() => {
        const links = page.links.filter((link) => !seen.has(link));
        for (const link of links) seen.add(link);
        queue.push(...links);
        frontier.notify();
        return links.length;
      });
      print(`fetched ${url}: ${page.words} words, ${fresh} new link${fresh === 1 ? "" : "s"}`);
      if (words >= WORD_BUDGET) {
        print(`${words} words: budget reached, cancelling the crawl`);
        crawl.abort(new Error("word budget reached"));
      }
    } catch (error) {
      if (error instanceof TimeoutError) {
        tally.timedOut++;
        print(`timed out ${url} after ${REQUEST_TIMEOUT} ms`);
      } else if (crawl.signal.aborted) {
        tally.cancelled++;
        print(`cancelled ${url}`);
      } else {
        throw error;
      }
    } finally {
      await frontier.run(() => {
        busy--;
        frontier.notify();
      });
    }
  }

  // The consumer: starts a visit for every queued page, and stops when
  // nothing is queued or in flight, or when the crawl is cancelled.
  const visits: Promise<void>[] = [];
  await frontier.run(async () => {
    for (;;) {
      try {
        await frontier.waitFor(() => queue.length > 0 || busy === 0, { signal: crawl.signal });
      } catch (error) {
        if (crawl.signal.aborted) break;
        throw error;
      }
      const url = queue.shift();
      if (url === undefined) break; // nothing queued and nothing in flight: done
      busy++;
      visits.push(visit(url));
    }
  });
  await Promise.all(visits);

  print(`${tally.fetched} pages, ${words} words; ${tally.timedOut} timed out, ${tally.cancelled} cancelled`);
}
