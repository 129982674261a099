/* global rs, db, sleep, print */
// One-shot: make mongo-1..3 a replica set (idempotent: an initiated set is left alone), then wait for a primary.
try {
  rs.status();
} catch {
  rs.initiate({
    _id: 'rs0',
    members: [
      { _id: 0, host: 'mongo-1:27017', priority: 2 },
      { _id: 1, host: 'mongo-2:27017' },
      { _id: 2, host: 'mongo-3:27017' },
    ],
  });
}
for (let i = 0; i < 120 && !db.hello().isWritablePrimary && !db.hello().primary; i++) sleep(1000);
if (!db.hello().primary) throw new Error('replica set rs0 has no primary');
print(`replica set rs0 primary: ${db.hello().primary}`);
