"""The GraphQL schema: strawberry types, resolvers, dataloaders and the permission gate."""
