console.log("@sync demo: the examples arrive with the primitives.");
