// Every helper of @sync/core that this package uses besides its public
// errors and types, in one place: when they move to `@sync/core/internal`,
// only this file changes.
export { inspect, optionsError, WaiterQueue } from "@sync/core";
