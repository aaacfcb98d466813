// Sends the same large body `tries` times with Node's fetch, from its own process (a client
// that writes its whole body before reading, not sharing the server's event loop), and prints
// what each try read: `<status> <content-type>` or `error <code>`, as a JSON array.
// Arguments: url, content type, body size in bytes, tries, then header=value pairs.
const [url, contentType, size, tries, ...headerPairs] = process.argv.slice(2);
const headers = { 'content-type': contentType };
for (const pair of headerPairs) {
  const at = pair.indexOf('=');
  headers[pair.slice(0, at)] = pair.slice(at + 1);
}
const body = Buffer.alloc(Number(size), contentType === 'text/csv' ? 'a,b,c\n' : ' ');
const seen = [];
for (let i = 0; i < Number(tries); i++) {
  try {
    const answer = await fetch(url, { method: 'POST', headers, body });
    const text = await answer.text();
    seen.push(`${answer.status} ${answer.headers.get('content-type')} ${text.length > 0}`);
  } catch (error) {
    seen.push(`error ${error.cause?.code ?? error.message}`);
  }
}
process.stdout.write(JSON.stringify(seen));
