// `natural` loads dotenv, which prints a tip on import unless told to be quiet; this module is
// the one place that imports it, after `quiet-dotenv.ts` has set the flag.
import './quiet-dotenv.ts';
import natural from 'natural';

export default natural;
