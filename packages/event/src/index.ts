export { Event } from "./event";
