// Imported first by the node's entry point: every RegExp in this process
// (PouchDB's Mango `$regex` matching above all) falls back to V8's
// linear-time engine when it backtracks too much, so a pattern such as
// `^st(.|.)*X$` costs milliseconds instead of hours. The `l` flag
// (linear-only) becomes available to check patterns up front.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine');
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
