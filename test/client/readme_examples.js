// test/client/readme_examples.js: the README's examples through node-postgres, which sends every
// parameter untyped (the extended query protocol with parameter type 0), as most drivers do.
//
//   node readme_examples.js EXAMPLES VARIABLES USER [FIRST_N]
//
// Runs each line of EXAMPLES (pgbench's :name variables become $1, $2, ...; values from
// VARIABLES, name=value lines) as a named prepared statement, connected as USER (PGHOST, PGPORT,
// PGDATABASE from the environment), and prints one TAP line per statement.
'use strict';
const fs = require('fs');
const { Client } = require('pg');

const [examplesFile, variablesFile, user, firstN] = process.argv.slice(2);
const variables = {};
for (const line of fs.readFileSync(variablesFile, 'utf8').split('\n')) {
  const eq = line.indexOf('=');
  if (eq > 0) variables[line.slice(0, eq)] = line.slice(eq + 1);
}
let examples = fs.readFileSync(examplesFile, 'utf8').split('\n').filter((l) => l.trim() !== '');
if (firstN) examples = examples.slice(0, Number(firstN));

// :name -> $n, each name numbered once, in order of first use (a ::cast is left alone)
function toParameters(sql) {
  const names = [];
  const text = sql.replace(/(^|[^:]):([a-z_]+)/g, (match, before, name) => {
    if (!(name in variables)) throw new Error(`no value for :${name}`);
    if (!names.includes(name)) names.push(name);
    return `${before}$${names.indexOf(name) + 1}`;
  });
  return { text: text.replace(/;\s*$/, ''), values: names.map((n) => variables[n]) };
}

(async () => {
  const client = new Client({ user });
  await client.connect();
  console.log(`1..${examples.length}`);
  let n = 0;
  for (const sql of examples) {
    n += 1;
    const { text, values } = toParameters(sql);
    try {
      // a name: always Parse/Bind/Execute, also for a statement without parameters
      const result = await client.query({ name: `example_${n}`, text, values });
      console.log(`ok ${n} - node-postgres as ${user}: ${sql} (${result.rowCount} rows)`);
    } catch (err) {
      console.log(`not ok ${n} - node-postgres as ${user}: ${sql}`);
      console.log(`# ${err.message}`);
    }
  }
  await client.end();
})().catch((err) => {
  console.log(`not ok - node-postgres as ${user}: ${err.message}`);
  process.exit(1);
});
