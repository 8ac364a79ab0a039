export { Lock } from "./lock";
