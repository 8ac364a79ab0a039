export { Barrier, BrokenBarrierError } from "./barrier";
