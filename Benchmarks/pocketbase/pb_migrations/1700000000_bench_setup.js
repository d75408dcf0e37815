/// <reference path="../pb_data/types.d.ts" />
// The PocketBase side of scripts/bench: request logs off, the batch API on (for seeding), a
// superuser, and a `stories` collection with the text fields jobprepd's stories have, open to
// the public for list, view, create and update (jobprepd checks a bearer token instead).
migrate((app) => {
  const settings = app.settings();
  settings.logs.maxDays = 0; // 0 = no request logs at all
  settings.batch.enabled = true;
  settings.batch.maxRequests = 1000;
  settings.batch.maxBodySize = 16 << 20;
  app.save(settings);

  const stories = new Collection({
    type: "base",
    name: "stories",
    listRule: "",
    viewRule: "",
    createRule: "",
    updateRule: "",
    deleteRule: null,
    fields: [
      { name: "title", type: "text", required: true, max: 200 },
      { name: "use_case", type: "text", max: 50000 },
      { name: "design", type: "text", max: 50000 },
      { name: "challenges", type: "text", max: 50000 },
      { name: "outcome", type: "text", max: 50000 },
      { name: "created", type: "autodate", onCreate: true, onUpdate: false },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
    indexes: ["CREATE INDEX idx_stories_created ON stories (created)"],
  });
  app.save(stories);

  const superuser = new Record(app.findCollectionByNameOrId("_superusers"));
  superuser.set("email", "bench@example.com");
  superuser.set("password", "bench-password-1234");
  app.save(superuser);
}, (app) => {
  app.delete(app.findCollectionByNameOrId("stories"));
});
