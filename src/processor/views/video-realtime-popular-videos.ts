/**
 * views.md | video_realtime_popular_videos | T5 | rank | video_play | top 10 by plays: rank, video_id,
 * plays, viewers; plays desc, then video_id asc |
 * A partial result keeps every video's plays and viewers (in the rank-1 row's `_plays_by_video`, a JSON
 * object video_id → [plays, viewers]), since the global top 10 is ranked from the merged counts.
 */
import type { PartialColumns } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, noKey } from './common.ts';

const TOP_N = 10;

interface VideoPlays {
  plays: number;
  users: Set<string>;
}

type PlaysByVideo = Record<string, [plays: number, viewers: number]>;

function ranked(playsByVideo: PlaysByVideo): PartialColumns[] {
  const videoIds = Object.keys(playsByVideo).sort((a, b) => {
    const byPlays = playsByVideo[b]![0] - playsByVideo[a]![0];
    return byPlays !== 0 ? byPlays : a < b ? -1 : a > b ? 1 : 0;
  });
  return videoIds.slice(0, TOP_N).map((videoId, index) => ({
    rank: index + 1,
    video_id: videoId,
    plays: playsByVideo[videoId]![0],
    viewers: playsByVideo[videoId]![1],
    _plays_by_video: index === 0 ? JSON.stringify(playsByVideo) : null,
  }));
}

export default windowView({
  name: 'video_realtime_popular_videos',
  inputTypes: ['video_play'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: [],
  key: noKey,
  aggregate: {
    init: () => new Map<string, VideoPlays>(),
    add(state, event) {
      const video = state.get(event.video_id);
      if (video === undefined) state.set(event.video_id, { plays: 1, users: new Set([event.user_id]) });
      else {
        video.plays++;
        video.users.add(event.user_id);
      }
    },
    merge(into, from) {
      for (const [videoId, { plays, users }] of from) {
        const video = into.get(videoId);
        if (video === undefined) into.set(videoId, { plays, users: new Set(users) });
        else {
          video.plays += plays;
          for (const user of users) video.users.add(user);
        }
      }
    },
    partial: (state) => {
      const playsByVideo: PlaysByVideo = {};
      for (const [videoId, { plays, users }] of state) playsByVideo[videoId] = [plays, users.size];
      return { _plays_by_video: JSON.stringify(playsByVideo) };
    },
  },
  rows: (state) => {
    const playsByVideo: PlaysByVideo = {};
    for (const [videoId, { plays, users }] of state) playsByVideo[videoId] = [plays, users.size];
    return ranked(playsByVideo);
  },
  mergeWindowRows: (rows) => {
    // Viewers of one video add across partial rows: a user's plays sit in one partition.
    const merged: PlaysByVideo = {};
    for (const row of rows) {
      if (typeof row._plays_by_video !== 'string') continue;
      for (const [videoId, [plays, viewers]] of Object.entries(
        JSON.parse(row._plays_by_video) as PlaysByVideo,
      )) {
        const sum = merged[videoId];
        merged[videoId] = sum === undefined ? [plays, viewers] : [sum[0] + plays, sum[1] + viewers];
      }
    }
    return ranked(merged);
  },
  merge: {}, // rows of a window merge through mergeWindowRows
  mergeColumnTypes: { _plays_by_video: 'json' },
  finish: () => ({}),
});
