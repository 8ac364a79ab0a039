export { BoundedSemaphore, Semaphore } from "./semaphore";
