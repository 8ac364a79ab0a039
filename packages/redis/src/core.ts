// Every helper of @sync/core that this package uses besides its public
// errors and types, in one place.
export { check, inspect, WaiterQueue } from "@sync/core/internal";
