// The release data model: an application and the stages of its release.
export * from './application-spec';
export * from './stage-spec';
