export { Condition } from "./condition";
